import { NotFoundState } from '../../../../components/states.tsx';

export default function NotFound() {
  return <NotFoundState what="Campaign" />;
}
